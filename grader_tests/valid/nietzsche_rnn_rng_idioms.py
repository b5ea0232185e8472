# The usual ways of taking an optional generator: `rng or default_rng()`, np.random.default_rng(rng)
# and an isinstance guard, and a continuation that passes one generator along. The tests' generators
# reach the functions as real numpy Generators, and the draws come back into them.
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
    rng = rng or np.random.default_rng()
    rng = np.random.default_rng(rng)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator, got {type(rng).__name__}")
    X = encode(text[len(text) - T_x:], chars)[None, :]
    logits = np.asarray(predict(X), dtype=np.float64)[:, 0]
    if temperature == 0:
        return chars[int(np.argmax(logits))]
    z = logits / temperature
    p = np.exp(z - z.max())
    return chars[int(rng.choice(len(chars), p=p / p.sum()))]

# %% cell: get_next_n_chars
def get_next_n_chars(predict, text, chars, T_x, n, temperature=0.0, seed=None):
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    for _ in range(n):
        text = text + get_next_char(predict, text, chars, T_x, temperature=temperature, rng=rng)
    return text
