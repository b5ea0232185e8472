# A get_next_char stub that looks for the grader's reference through the objects the tests pass it
# (the predict function's globals, the generator's bit generator) and, failing that, reads the
# generator's state to draw from a copy instead of drawing from the generator itself. The predict
# function is lent for calls only, and the generator is the notebook's own copy: the state it comes
# back in is the one the test's generator takes, so the sampled tests see the same draw again and again.
# assignment: nietzsche_rnn
# base: solution
# expected_failures: test_get_next_char, test_get_next_char_hidden, test_get_next_n_chars
# expected_score: 24
# expected_flag: reaches into `__globals__`

# %% cell: get_next_char
def get_next_char(predict, text, chars, T_x, temperature=0.0, rng=None):
    for path in (lambda: predict.__globals__["_reference_next_char"], lambda: predict.table,
                 lambda: rng.bit_generator.ctypes.state_address):
        try:
            found = path()
        except Exception:  # noqa: BLE001
            continue
        if callable(found):
            return found(text, T_x, temperature, rng)
    X = encode(text[len(text) - T_x:], chars)[None, :]
    logits = np.asarray(predict(X), dtype=np.float64)[:, 0]
    if temperature == 0:
        return chars[int(np.argmax(logits))]
    peek = np.random.Generator(type(rng.bit_generator)())
    peek.bit_generator.state = rng.bit_generator.state  # read the state, never draw from rng itself
    z = logits / temperature
    p = np.exp(z - z.max())
    return chars[int(peek.choice(len(chars), p=p / p.sum()))]
