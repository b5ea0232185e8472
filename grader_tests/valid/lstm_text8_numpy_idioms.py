# logprob with np.clip and einsum, sample_distribution with searchsorted, lstm_cell with np.dot and its own sigmoid.
# assignment: lstm_text8
# base: solution
# expected_failures: none

# %% cell: logprob
def logprob(predictions, labels):
    safe = np.clip(predictions, 1e-10, None)
    return float(-np.einsum("ij,ij->", labels, np.log(safe)) / len(labels))

# %% cell: sample_distribution
def sample_distribution(distribution, rng):
    r = rng.uniform(0.0, 1.0)
    index = int(np.searchsorted(np.cumsum(distribution), r, side="left"))
    return min(index, len(distribution) - 1)

# %% cell: lstm_cell
def lstm_cell(x, h_prev, c_prev, params):
    def gate(name, squash):
        return squash(np.dot(x, params[name + "x"]) + np.dot(h_prev, params[name + "m"]) + params[name + "b"])

    def logistic(z):
        return 1.0 / (1.0 + np.exp(-z))

    i, f, o = gate("i", logistic), gate("f", logistic), gate("o", logistic)
    c = f * c_prev + i * gate("c", np.tanh)
    return o * np.tanh(c), c
