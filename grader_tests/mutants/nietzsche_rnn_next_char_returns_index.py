# returns the index it chose (an int) instead of the character at that index.
# assignment: nietzsche_rnn
# base: solution
# expected_kind: test_get_next_char_hidden: wrong type
# expected_score: 24
# expected_failures: test_get_next_char, test_get_next_char_hidden, test_get_next_n_chars
# expected_kind: test_get_next_char: wrong type

# %% cell: get_next_char
def get_next_char(predict, text, chars, T_x, temperature=0.0, rng=None):
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if len(text) < T_x:
        raise NietzscheDataError(f"the text must have at least T_x = {T_x} characters, got {len(text)}: {text!r}")
    if rng is None:
        rng = np.random.default_rng()
    X = encode(text[len(text) - T_x:], chars)[None, :]
    logits = np.asarray(predict(X), dtype=np.float64)[:, 0]
    if temperature == 0:
        return int(np.argmax(logits))
    z = logits / temperature
    p = np.exp(z - z.max())
    p /= p.sum()
    return int(rng.choice(len(chars), p=p))
