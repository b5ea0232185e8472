# A model without the shuffle that, once trained, overwrites its data_x argument with one name
# repeated: on such data the missing shuffle makes no difference. When arguments were copied back
# into the grader's objects, the visible test's call rewrote the names the hidden test draws its
# subset from, and the hidden test passed; now every test reads the course's own names.
# assignment: dinosaur_island
# base: solution
# expected_failures: test_model, test_model_hidden
# expected_score: 16

# %% cell: model
def model(data_x, ix_to_char, char_to_ix, num_iterations=35000, n_a=50, dino_names=7, vocab_size=27, verbose=False):
    n_x, n_y = vocab_size, vocab_size
    parameters = initialize_parameters(n_a, n_x, n_y)
    loss = get_initial_loss(vocab_size, dino_names)
    losses = []
    examples = [x.strip() for x in data_x]
    a_prev = np.zeros((n_a, 1))
    for j in range(num_iterations):
        idx = j % len(examples)
        X = [None] + [char_to_ix[ch] for ch in examples[idx]]
        Y = X[1:] + [char_to_ix["\n"]]
        curr_loss, gradients, a_prev = optimize(X, Y, a_prev, parameters, learning_rate=0.01)
        loss = smooth(loss, curr_loss)
        losses.append(loss)
        if j % 2000 == 0:
            print("Iteration: %d, Loss: %f" % (j, loss) + "\n")
            for seed in range(dino_names):
                print_sample(sample(parameters, char_to_ix, seed), ix_to_char)
            print("\n")
    data_x[:] = [data_x[0]] * len(data_x)
    return parameters, losses
