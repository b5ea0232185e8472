# A learner with clip and optimize right (4 + 6 points), sample taking the most likely character
# instead of drawing one, and model forgetting to shuffle the names.
# assignment: dinosaur_island
# base: solution
# expected_score: 10
# expected_failures: test_sample, test_sample_hidden, test_model, test_model_hidden

# %% cell: sample
def sample(parameters, char_to_ix, seed):
    Waa, Wax, Wya, by, b = parameters["Waa"], parameters["Wax"], parameters["Wya"], parameters["by"], parameters["b"]
    vocab_size = by.shape[0]
    n_a = Waa.shape[1]
    newline = char_to_ix["\n"]
    indices = []
    idx = -1
    counter = 0
    x = np.zeros((vocab_size, 1))
    a_prev = np.zeros((n_a, 1))
    while idx != newline and counter != 50:
        a = np.tanh(np.dot(Wax, x) + np.dot(Waa, a_prev) + b)
        y = softmax(np.dot(Wya, a) + by)
        idx = int(np.argmax(y))
        indices.append(idx)
        x = np.zeros((vocab_size, 1))
        x[idx] = 1
        a_prev = a
        counter += 1
    if counter == 50:
        indices.append(newline)
    return indices

# %% cell: model
def model(data_x, ix_to_char, char_to_ix, num_iterations=35000, n_a=50, dino_names=7, vocab_size=27, verbose=False):
    parameters = initialize_parameters(n_a, vocab_size, vocab_size)
    loss = get_initial_loss(vocab_size, dino_names)
    losses = []
    examples = [x.strip() for x in data_x]
    a_prev = np.zeros((n_a, 1))
    for j in range(num_iterations):
        X = [None] + [char_to_ix[ch] for ch in examples[j % len(examples)]]
        Y = X[1:] + [char_to_ix["\n"]]
        curr_loss, gradients, a_prev = optimize(X, Y, a_prev, parameters, learning_rate=0.01)
        loss = smooth(loss, curr_loss)
        losses.append(loss)
        if j % 2000 == 0:
            print("Iteration: %d, Loss: %f" % (j, loss) + "\n")
            for seed in range(dino_names):
                print_sample(sample(parameters, char_to_ix, seed), ix_to_char)
            print("\n")
    return parameters, losses
