# An embedding_lookup stub that zeroes the table it is given and returns zeros: both tests computed
# their expected rows from the table after the call, so it passed them; now the rows come from the
# test's own table before the call.
# assignment: lstm_text8
# base: solution
# expected_failures: test_embedding, test_embedding_hidden
# expected_score: 58

# %% cell: embedding
def embedding_lookup(embeddings, ids):
    embeddings[...] = 0.0
    return np.zeros(np.shape(ids) + (embeddings.shape[1],))


def bigram_ids(text):
    single = np.array([char2id(ch) for ch in text], dtype=np.int64)
    return vocabulary_size * single[:-1] + single[1:]
