# All four exercises written in one cell (the clip cell), the other three solution cells deleted.
# The intake must not put the released stubs back after the learner's definitions: full marks, and a
# note saying which solution cells were deleted.
# assignment: dinosaur_island
# base: solution
# expected_score: 24
# expected_failures: none
# expected_note: 3 solution cells were deleted; the learner's own definitions in other cells are graded

# %% cell: clip
def clip(gradients, maxValue):
    for key in ("dWax", "dWaa", "dWya", "db", "dby"):
        gradients[key] = np.clip(gradients[key], -maxValue, maxValue)
    return gradients


def sample(parameters, char_to_ix, seed):
    Wax, Waa, Wya = parameters["Wax"], parameters["Waa"], parameters["Wya"]
    b, by = parameters["b"], parameters["by"]
    vocab_size, n_a = by.shape[0], Waa.shape[0]
    newline = char_to_ix["\n"]
    x, a = np.zeros((vocab_size, 1)), np.zeros((n_a, 1))
    indices = []
    for counter in range(50):
        a = np.tanh(Wax @ x + Waa @ a + b)
        y = softmax(Wya @ a + by)
        np.random.seed(seed + 2 * counter)  # counter + seed, where both grow by one a step
        idx = int(np.random.choice(vocab_size, p=y.ravel()))
        indices.append(idx)
        if idx == newline:
            return indices
        x = np.zeros((vocab_size, 1))
        x[idx] = 1
    return indices + [newline]


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
        name = examples[j % len(examples)]
        X = [None] + [char_to_ix[ch] for ch in name]
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
