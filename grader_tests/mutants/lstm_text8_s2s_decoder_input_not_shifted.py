# Feeds the decoder the targets themselves (no GO, no shift): it only has to copy its input.
# assignment: lstm_text8
# base: solution
# expected_failures: test_seq2seq_data, test_seq2seq_data_hidden

# %% cell: seq2seq_data
GO = vocabulary_size


def mirror_words(sentence):
    return " ".join(word[::-1] for word in sentence.split(" "))


def seq2seq_arrays(words, max_len):
    m = len(words)
    enc = np.zeros((m, max_len), dtype=np.int64)
    dec_out = np.zeros((m, max_len + 1), dtype=np.int64)
    for j, word in enumerate(words):
        if len(word) > max_len:
            raise ValueError(f"word {word!r} is too long")
        ids = [char2id(ch) for ch in word]
        enc[j, max_len - len(word):] = ids
        dec_out[j, :len(word)] = ids[::-1]
    return enc, dec_out.copy(), dec_out
