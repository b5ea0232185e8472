# model building X and Y with an explicit for loop and append.
# assignment: dinosaur_island
# base: solution
# expected_score: 24
# expected_failures: none

# %% cell: model
def model(data_x, ix_to_char, char_to_ix, num_iterations=35000, n_a=50, dino_names=7, vocab_size=27, verbose=False):
    n_x, n_y = vocab_size, vocab_size
    parameters = initialize_parameters(n_a, n_x, n_y)
    loss = get_initial_loss(vocab_size, dino_names)
    losses = []
    examples = []
    for line in data_x:
        examples.append(line.strip())
    np.random.seed(0)
    np.random.shuffle(examples)
    a_prev = np.zeros((n_a, 1))
    for j in range(num_iterations):
        idx = j % len(examples)
        X = [None]
        for ch in examples[idx]:
            X.append(char_to_ix[ch])
        Y = X[1:]
        Y.append(char_to_ix["\n"])
        curr_loss, gradients, a_prev = optimize(X, Y, a_prev, parameters, 0.01)
        if verbose and j in (0, len(examples) - 1, len(examples)):
            print(f"j = {j}, example {idx}: X = {X}, Y = {Y}")
        loss = smooth(loss, curr_loss)
        losses.append(loss)
        if j % 2000 == 0:
            print("Iteration: %d, Loss: %f" % (j, loss) + "\n")
            for seed in range(dino_names):
                print_sample(sample(parameters, char_to_ix, seed), ix_to_char)
            print("\n")
    return parameters, losses
