# samples with rng.choice over the characters themselves and a softmax without the max shift; builds the continuation as a list.
# assignment: nietzsche_rnn
# base: solution
# expected_score: 32
# expected_failures: none

# %% cell: get_next_char
def get_next_char(predict, text, chars, T_x, temperature=0.0, rng=None):
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if len(text) < T_x:
        raise NietzscheDataError(f"the text must have at least T_x = {T_x} characters, got {len(text)}: {text!r}")
    if rng is None:
        rng = np.random.default_rng()
    window = [chars.index(ch) if ch in chars else -1 for ch in text[-T_x:]]
    if -1 in window:
        raise ValueError(f"characters outside the vocabulary in {text[-T_x:]!r}")
    scores = predict(np.array([window])).astype(np.float64).ravel()
    if temperature == 0:
        ch = chars[scores.argmax()]
    else:
        weights = np.exp(scores / temperature)
        ch = str(rng.choice(chars, p=weights / weights.sum()))
    return ch

# %% cell: get_next_n_chars
def get_next_n_chars(predict, text, chars, T_x, n, temperature=0.0, seed=None):
    rng = np.random.default_rng(seed)
    out = text
    pieces = [text]
    for _ in range(n):
        pieces.append(get_next_char(predict, "".join(pieces), chars, T_x, temperature=temperature, rng=rng))
    out = "".join(pieces)
    return out
