# The usual ways of taking a generator: np.random.default_rng(rng), `rng or default_rng()`, and an
# isinstance guard. The test's generator reaches the function as a real numpy Generator.
# assignment: lstm_text8
# base: solution
# expected_score: 62
# expected_failures: none

# %% cell: sample_distribution
def sample_distribution(distribution, rng):
    rng = np.random.default_rng(rng)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator, got {type(rng).__name__}")
    r = rng.random()
    cumulative = np.cumsum(distribution)
    return int(min(np.searchsorted(cumulative, r, side="left"), len(distribution) - 1))

# %% cell: dropout
def dropout(x, keep_prob, rng):
    rng = rng or np.random.default_rng()
    assert isinstance(rng, np.random.Generator), type(rng)
    mask = ((rng.random(x.shape) < keep_prob) / keep_prob).astype(x.dtype)
    return x * mask, mask
