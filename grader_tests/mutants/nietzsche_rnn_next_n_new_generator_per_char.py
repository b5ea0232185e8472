# creates a new generator from the seed for every character, so every draw uses the same random number.
# assignment: nietzsche_rnn
# base: solution
# expected_score: 28
# expected_failures: test_get_next_n_chars, test_get_next_n_chars_hidden

# %% cell: get_next_n_chars
def get_next_n_chars(predict, text, chars, T_x, n, temperature=0.0, seed=None):
    rng = np.random.default_rng(seed)
    out = text
    for _ in range(n):
        rng = np.random.default_rng(seed)
        out += get_next_char(predict, out, chars, T_x, temperature, rng)
    return out
