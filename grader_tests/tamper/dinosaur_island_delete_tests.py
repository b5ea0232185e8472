# Deletes both sample test cells, hoping to lose no points for a sample that takes the argmax.
# The cells are put back from the release and fail as they should; the deletion is flagged.
# assignment: dinosaur_island
# base: solution
# expected_failures: test_sample, test_sample_hidden, test_model
# expected_score: 14
# expected_flag: 2 test cells were deleted: restored from the release ('test_sample', 'test_sample_hidden')

# %% cell: sample
def sample(parameters, char_to_ix, seed):
    Waa, Wax, Wya, by, b = parameters["Waa"], parameters["Wax"], parameters["Wya"], parameters["by"], parameters["b"]
    x, a_prev, indices, idx = np.zeros((by.shape[0], 1)), np.zeros((Waa.shape[0], 1)), [], -1
    while idx != char_to_ix["\n"] and len(indices) != 50:
        a_prev = np.tanh(Wax @ x + Waa @ a_prev + b)
        idx = int(np.argmax(Wya @ a_prev + by))
        indices.append(idx)
        x = np.zeros_like(x)
        x[idx] = 1
    if len(indices) == 50:
        indices.append(char_to_ix["\n"])
    return indices

# %% delete: test_sample
# %% delete: test_sample_hidden
