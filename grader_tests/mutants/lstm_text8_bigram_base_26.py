# Bigram ids as 26 * first + second, so different pairs collide.
# assignment: lstm_text8
# base: solution
# expected_failures: test_embedding, test_embedding_hidden

# %% cell: embedding
def embedding_lookup(embeddings, ids):
    return embeddings[np.asarray(ids)]


def bigram_ids(text):
    single = np.array([char2id(ch) for ch in text], dtype=np.int64)
    return 26 * single[:-1] + single[1:]
