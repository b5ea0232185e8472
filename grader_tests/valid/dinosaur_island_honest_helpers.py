# A correct notebook whose learner wrote helper functions of their own (one of them shadows the
# provided softmax with an equivalent one) and extra cells between the exercises. Full marks.
# assignment: dinosaur_island
# base: solution
# expected_failures: none
# expected_score: 24

# %% new-cell-after: setup
def softmax(x):
    e = np.exp(x - np.max(x))
    return e / e.sum(axis=0)


def one_hot(index, size=27):
    v = np.zeros((size, 1))
    v[index] = 1
    return v

# %% cell: sample
def sample(parameters, char_to_ix, seed):
    Waa, Wax, Wya, by, b = parameters["Waa"], parameters["Wax"], parameters["Wya"], parameters["by"], parameters["b"]
    vocab_size, n_a = by.shape[0], Waa.shape[1]
    newline = char_to_ix["\n"]
    x, a_prev = np.zeros((vocab_size, 1)), np.zeros((n_a, 1))
    indices, idx, counter = [], -1, 0
    while idx != newline and counter != 50:
        a = np.tanh(Wax @ x + Waa @ a_prev + b)
        y = softmax(Wya @ a + by)
        np.random.seed(counter + seed)
        idx = int(np.random.choice(range(vocab_size), p=y.ravel()))
        indices.append(idx)
        x, a_prev = one_hot(idx, vocab_size), a
        seed += 1
        counter += 1
    if counter == 50:
        indices.append(newline)
    return indices

# %% new-cell-after: sample_demo
print("my one_hot:", one_hot(3, 5).ravel())
