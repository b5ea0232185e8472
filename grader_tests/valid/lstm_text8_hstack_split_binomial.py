# Fused cell with np.hstack and np.split; dropout with a binomial mask; embeddings with np.take.
# assignment: lstm_text8
# base: solution
# expected_failures: none

# %% cell: fused_cell
def fuse_params(params):
    return {"Wx": np.hstack([params["ix"], params["fx"], params["ox"], params["cx"]]),
            "Wm": np.hstack([params["im"], params["fm"], params["om"], params["cm"]]),
            "b": np.hstack([params["ib"], params["fb"], params["ob"], params["cb"]])}


def fused_lstm_cell(x, h_prev, c_prev, fused):
    i, f, o, u = np.split(np.dot(x, fused["Wx"]) + np.dot(h_prev, fused["Wm"]) + fused["b"], 4, axis=1)
    c = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(u)
    return sigmoid(o) * np.tanh(c), c

# %% cell: embedding
def embedding_lookup(embeddings, ids):
    return np.take(embeddings, ids, axis=0)


def bigram_ids(text):
    return np.array([char2id(a) * vocabulary_size + char2id(b) for a, b in zip(text, text[1:])])

# %% cell: dropout
def dropout(x, keep_prob, rng):
    mask = rng.binomial(1, keep_prob, size=x.shape).astype(x.dtype) / x.dtype.type(keep_prob)
    return x * mask, mask
