# sample as a while-True loop with break, one-hot inputs taken as rows of np.eye.
# assignment: dinosaur_island
# base: solution
# expected_score: 24
# expected_failures: none

# %% cell: sample
def sample(parameters, char_to_ix, seed):
    Waa, Wax, Wya, by, b = parameters["Waa"], parameters["Wax"], parameters["Wya"], parameters["by"], parameters["b"]
    vocab_size = by.shape[0]
    n_a = Waa.shape[1]
    newline = char_to_ix["\n"]
    indices = []
    idx = -1  # anything but the newline
    counter = 0
    one_hot = np.eye(vocab_size)
    x = np.zeros((vocab_size, 1))
    a_prev = np.zeros((n_a, 1))
    while True:
        a_prev = np.tanh(np.dot(Wax, x) + np.dot(Waa, a_prev) + b)
        y = softmax(np.dot(Wya, a_prev) + by)
        np.random.seed(counter + seed)
        idx = int(np.random.choice(np.arange(vocab_size), p=y.ravel()))
        indices.append(idx)
        seed += 1
        counter += 1
        if idx == newline:
            break
        if counter == 50:
            indices.append(newline)
            break
        x = one_hot[idx].reshape(vocab_size, 1)
    return indices
