# A realistic in-place bug: embedding_lookup normalises the rows of the caller's table in place
# (`/=`) before the lookup, so it returns unit rows and changes the table. The expected rows come from
# the test's own table, made before the call.
# assignment: lstm_text8
# base: solution
# expected_failures: test_embedding, test_embedding_hidden
# expected_score: 58

# %% cell: embedding
def embedding_lookup(embeddings, ids):
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    return embeddings[np.asarray(ids)]


def bigram_ids(text):
    single = np.array([char2id(ch) for ch in text], dtype=np.int64)
    return vocabulary_size * single[:-1] + single[1:]
