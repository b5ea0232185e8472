# counts the characters added with a while loop whose counter never moves: it never returns.
# assignment: nietzsche_rnn
# base: solution
# expected_kind: test_get_next_n_chars: time limit
# expected_score: 28
# expected_failures: test_get_next_n_chars, test_get_next_n_chars_hidden
# expected_kind: test_get_next_n_chars_hidden: time limit
# expected_flag: ran past the time limit

# %% cell: get_next_n_chars
def get_next_n_chars(predict, text, chars, T_x, n, temperature=0.0, seed=None):
    rng = np.random.default_rng(seed)
    out, added = text, 0
    while added < n:
        out += get_next_char(predict, out, chars, T_x, temperature, rng)
        out = out[:len(text) + n]
    return out
