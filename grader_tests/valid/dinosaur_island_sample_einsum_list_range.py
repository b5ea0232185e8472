# sample with np.einsum, np.random.choice(list(range(vocab_size)), p=y.ravel()).
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
    x = np.zeros((vocab_size, 1))
    a_prev = np.zeros((n_a, 1))
    while idx != newline and counter != 50:
        a = np.tanh(np.einsum("ij,jk->ik", Wax, x) + np.einsum("ij,jk->ik", Waa, a_prev) + b)
        y = softmax(np.einsum("ij,jk->ik", Wya, a) + by)
        np.random.seed(counter + seed)
        idx = np.random.choice(list(range(vocab_size)), p=y.ravel())
        indices.append(int(idx))
        x = np.zeros((vocab_size, 1))
        x[idx] = 1
        a_prev = a
        seed += 1
        counter += 1
    if counter == 50:
        indices.append(newline)
    return indices
