# A one-line get_next_char stub that calls the reference get_next_char the hidden get_next_n_chars
# test lends to get_next_n_chars: get_next_n_chars keeps it in a global, and the get_next_char test
# cells are moved below that test. A lent function answers only while the call it was lent for runs:
# the stub's later calls are refused, and it loses both get_next_char tests and the visible
# get_next_n_chars test (which runs the stub with nothing kept).
# assignment: nietzsche_rnn
# base: solution
# expected_failures: test_get_next_char, test_get_next_char_hidden, test_get_next_n_chars
# expected_score: 24

# %% cell: get_next_char
_kept = []


def get_next_char(predict, text, chars, T_x, temperature=0.0, rng=None):
    return _kept[-1](predict, text, chars, T_x, temperature, rng) if _kept else chars[0]


_own_get_next_char = get_next_char

# %% cell: get_next_n_chars
def get_next_n_chars(predict, text, chars, T_x, n, temperature=0.0, seed=None):
    if get_next_char is not _own_get_next_char:  # the grader's reference, swapped in by the hidden test
        _kept.append(get_next_char)
    rng = np.random.default_rng(seed)
    out = text
    for _ in range(n):
        out += get_next_char(predict, out, chars, T_x, temperature, rng)
    return out

# %% move-after: test_get_next_n_chars_hidden test_get_next_char
# %% move-after: test_get_next_char test_get_next_char_hidden
