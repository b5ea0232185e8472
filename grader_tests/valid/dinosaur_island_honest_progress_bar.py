# A correct model that shows a tqdm progress bar (on stderr) and prints extra lines of its own after
# the required log. stderr never fails a test: full marks.
# assignment: dinosaur_island
# base: solution
# expected_failures: none
# expected_score: 24

# %% cell: model
from tqdm.auto import tqdm


def model(data_x, ix_to_char, char_to_ix, num_iterations=35000, n_a=50, dino_names=7, vocab_size=27, verbose=False):
    n_x, n_y = vocab_size, vocab_size
    parameters = initialize_parameters(n_a, n_x, n_y)
    loss = get_initial_loss(vocab_size, dino_names)
    losses = []
    examples = [x.strip() for x in data_x]
    np.random.seed(0)
    np.random.shuffle(examples)
    a_prev = np.zeros((n_a, 1))
    for j in tqdm(range(num_iterations), desc="training", mininterval=0.5):
        idx = j % len(examples)
        X = [None] + [char_to_ix[ch] for ch in examples[idx]]
        Y = X[1:] + [char_to_ix["\n"]]
        curr_loss, gradients, a_prev = optimize(X, Y, a_prev, parameters, learning_rate=0.01)
        loss = smooth(loss, curr_loss)
        losses.append(loss)
        if j % 2000 == 0:
            print("Iteration: %d, Loss: %f" % (j, loss) + "\n")
            seed = 0
            for name in range(dino_names):
                sampled_indices = sample(parameters, char_to_ix, seed)
                print_sample(sampled_indices, ix_to_char)
                seed += 1
            print("\n")
    print(f"done: {num_iterations} iterations, final smoothed loss {loss:.3f}")
    return parameters, losses
