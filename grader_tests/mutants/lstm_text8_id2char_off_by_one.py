# id2char forgets the -1: id 1 comes back as 'b' (batches2string then misreads every batch).
# assignment: lstm_text8
# base: solution
# expected_failures: test_char_ids, test_char_ids_hidden, test_batch_generator, test_batch_generator_hidden
# expected_kind: test_char_ids_hidden: off by one
# expected_kind: test_batch_generator: off by one

# %% cell: char_ids
vocabulary_size = len(string.ascii_lowercase) + 1
first_letter = ord(string.ascii_lowercase[0])


def char2id(char):
    if char in string.ascii_lowercase:
        return ord(char) - first_letter + 1
    if char == " ":
        return 0
    warnings.warn(f"unexpected character {char!r}", stacklevel=2)
    return 0


def id2char(dictid):
    if dictid > 0:
        return chr(int(dictid) + first_letter)
    return " "
