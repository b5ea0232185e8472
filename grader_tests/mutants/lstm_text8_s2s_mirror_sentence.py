# Reverses the whole sentence (and each word's array is padded at the end).
# assignment: lstm_text8
# base: solution
# expected_failures: test_seq2seq_data, test_seq2seq_data_hidden

# %% cell: seq2seq_data
GO = vocabulary_size


def mirror_words(sentence):
    return sentence[::-1]


def seq2seq_arrays(words, max_len):
    m = len(words)
    enc = np.zeros((m, max_len), dtype=np.int64)
    dec_in = np.zeros((m, max_len + 1), dtype=np.int64)
    dec_out = np.zeros((m, max_len + 1), dtype=np.int64)
    for j, word in enumerate(words):
        if len(word) > max_len:
            raise ValueError(f"word {word!r} is too long")
        ids = [char2id(ch) for ch in word]
        enc[j, :len(word)] = ids
        dec_out[j, :len(word)] = ids[::-1]
    dec_in[:, 0] = GO
    dec_in[:, 1:] = dec_out[:, :-1]
    return enc, dec_in, dec_out
