# Every exercise in the clip cell, the other solution cells deleted, and sample takes the argmax instead of
# drawing: the learner's own definitions are graded, so sample's tests (and model's log) fail.
# assignment: dinosaur_island
# base: solution
# expected_score: 14
# expected_failures: test_sample, test_sample_hidden, test_model
# expected_note: 3 solution cells were deleted; the learner's own definitions in other cells are graded

# %% cell: clip
def clip(gradients, maxValue):
    for key in ("dWax", "dWaa", "dWya", "db", "dby"):
        np.clip(gradients[key], -maxValue, maxValue, out=gradients[key])
    return gradients


def sample(parameters, char_to_ix, seed):
    p, newline = parameters, char_to_ix["\n"]
    x, a, indices = np.zeros((p["by"].shape[0], 1)), np.zeros((p["Waa"].shape[0], 1)), []
    while len(indices) < 50 and (not indices or indices[-1] != newline):
        a = np.tanh(p["Wax"] @ x + p["Waa"] @ a + p["b"])
        indices.append(int(np.argmax(p["Wya"] @ a + p["by"])))
        x = np.zeros_like(x)
        x[indices[-1]] = 1
    if indices[-1] != newline:
        indices.append(newline)
    return indices


def optimize(X, Y, a_prev, parameters, learning_rate=0.01):
    loss, cache = rnn_forward(X, Y, a_prev, parameters)
    gradients, a = rnn_backward(X, Y, parameters, cache)
    gradients = clip(gradients, 5)
    update_parameters(parameters, gradients, learning_rate)
    return loss, gradients, a[len(X) - 1]


def model(data_x, ix_to_char, char_to_ix, num_iterations=35000, n_a=50, dino_names=7, vocab_size=27, verbose=False):
    parameters = initialize_parameters(n_a, vocab_size, vocab_size)
    loss, losses = get_initial_loss(vocab_size, dino_names), []
    examples = [line.strip() for line in data_x]
    np.random.seed(0)
    np.random.shuffle(examples)
    a_prev = np.zeros((n_a, 1))
    for j in range(num_iterations):
        X = [None] + [char_to_ix[ch] for ch in examples[j % len(examples)]]
        Y = X[1:] + [char_to_ix["\n"]]
        curr_loss, gradients, a_prev = optimize(X, Y, a_prev, parameters, 0.01)
        loss = smooth(loss, curr_loss)
        losses.append(loss)
        if j % 2000 == 0:
            print("Iteration: %d, Loss: %f" % (j, loss) + "\n")
            for seed in range(dino_names):
                print_sample(sample(parameters, char_to_ix, seed), ix_to_char)
            print("\n")
    return parameters, losses

# %% delete: sample

# %% delete: optimize

# %% delete: model
