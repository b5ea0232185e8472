# The char_ids solution cell deleted and its functions, with the two constants they use, written in two
# cells of the learner's own after the data. Nothing of the released stub comes back over them (not even
# the given constants, which the learner binds itself): full marks, a note.
# assignment: lstm_text8
# base: solution
# expected_failures: none
# expected_note: solution cell 'char_ids' (char2id, id2char) was deleted; the learner's own definitions

# %% delete: char_ids

# %% new-cell-after: data_code
def char2id(char):
    if char in ALPHABET:
        return ALPHABET.index(char)
    warnings.warn(f"unexpected character {char!r}", stacklevel=2)
    return 0

# %% new-cell-after: data_code
vocabulary_size = 27
first_letter = ord("a")
ALPHABET = " " + string.ascii_lowercase


def id2char(dictid):
    return ALPHABET[int(dictid)]
