# seq2seq arrays built from padded strings, mirror_words with a regular expression.
# assignment: lstm_text8
# base: solution
# expected_failures: none

# %% cell: seq2seq_data
import re

GO = 27


def mirror_words(sentence):
    return re.sub(r"[a-z]+", lambda match: match.group(0)[::-1], sentence)


def seq2seq_arrays(words, max_len):
    too_long = [w for w in words if len(w) > max_len]
    if too_long:
        raise ValueError(f"words longer than {max_len}: {too_long}")
    enc = np.array([[char2id(ch) for ch in w.rjust(max_len)] for w in words],
                   dtype=np.int64).reshape(len(words), max_len)
    dec_out = np.array([[char2id(ch) for ch in w[::-1].ljust(max_len + 1)] for w in words],
                       dtype=np.int64).reshape(len(words), max_len + 1)
    dec_in = np.concatenate([np.full((len(words), 1), GO), dec_out[:, :-1]], axis=1)
    return enc, dec_in, dec_out
