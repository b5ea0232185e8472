# predicts every character from the opening only, never from the characters already added.
# assignment: nietzsche_rnn
# base: solution
# expected_score: 28
# expected_failures: test_get_next_n_chars, test_get_next_n_chars_hidden

# %% cell: get_next_n_chars
def get_next_n_chars(predict, text, chars, T_x, n, temperature=0.0, seed=None):
    rng = np.random.default_rng(seed)
    out = text
    for _ in range(n):
        out += get_next_char(predict, text, chars, T_x, temperature, rng)
    return out
