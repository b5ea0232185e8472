# The four solution cells deleted and every exercise written in one new cell of the learner's own
# after the setup, calling helpers of its own. The intake recognises the cell as the clip solution and
# puts no stub back over the other three: full marks, with notes.
# assignment: dinosaur_island
# base: release
# expected_score: 24
# expected_failures: none
# expected_note: cell 'clip' had lost its nbgrader metadata: restored
# expected_note: 3 solution cells were deleted; the learner's own definitions in other cells are graded

# %% delete: clip

# %% delete: sample

# %% delete: optimize

# %% delete: model

# %% new-cell-after: data_code
GRADIENT_KEYS = ["dWax", "dWaa", "dWya", "db", "dby"]


def clip(gradients, maxValue):
    clipped = dict(gradients)
    for key in GRADIENT_KEYS:
        clipped[key] = np.minimum(np.maximum(gradients[key], -maxValue), maxValue)
    return clipped


def one_hot(index, size):
    v = np.zeros((size, 1))
    if index is not None:
        v[index] = 1
    return v


def sample(parameters, char_to_ix, seed):
    p = parameters
    vocab_size, n_a = p["by"].shape[0], p["Waa"].shape[0]
    a, x, indices = np.zeros((n_a, 1)), one_hot(None, vocab_size), []
    while len(indices) < 50 and (not indices or indices[-1] != char_to_ix["\n"]):
        a = np.tanh(np.dot(p["Wax"], x) + np.dot(p["Waa"], a) + p["b"])
        probs = softmax(np.dot(p["Wya"], a) + p["by"]).ravel()
        np.random.seed(seed + 2 * len(indices))
        indices.append(int(np.random.choice(list(range(vocab_size)), p=probs)))
        x = one_hot(indices[-1], vocab_size)
    if indices[-1] != char_to_ix["\n"]:
        indices.append(char_to_ix["\n"])
    return indices


def optimize(X, Y, a_prev, parameters, learning_rate=0.01):
    loss, cache = rnn_forward(X, Y, a_prev, parameters)
    gradients, states = rnn_backward(X, Y, parameters, cache)
    gradients = clip(gradients, 5)
    parameters = update_parameters(parameters, gradients, learning_rate)
    return loss, gradients, states[len(X) - 1]


def model(data_x, ix_to_char, char_to_ix, num_iterations=35000, n_a=50, dino_names=7, vocab_size=27, verbose=False):
    parameters = initialize_parameters(n_a, vocab_size, vocab_size)
    loss = get_initial_loss(vocab_size, dino_names)
    names = [x.strip() for x in data_x]
    np.random.seed(0)
    np.random.shuffle(names)
    a_prev, losses = np.zeros((n_a, 1)), []
    for j in range(num_iterations):
        X = [None] + [char_to_ix[ch] for ch in names[j % len(names)]]
        Y = X[1:] + [char_to_ix["\n"]]
        curr_loss, _, a_prev = optimize(X, Y, a_prev, parameters)
        loss = smooth(loss, curr_loss)
        losses.append(loss)
        if j % 2000 == 0:
            print("Iteration: %d, Loss: %f" % (j, loss) + "\n")
            for seed in range(dino_names):
                print_sample(sample(parameters, char_to_ix, seed), ix_to_char)
            print("\n")
    return parameters, losses
