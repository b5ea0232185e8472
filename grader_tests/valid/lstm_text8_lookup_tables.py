# Dictionaries instead of ord/chr, a printed warning, and a vectorised batch built with np.eye.
# assignment: lstm_text8
# base: solution
# expected_failures: none

# %% cell: char_ids
vocabulary_size = 27
first_letter = ord("a")
_IDS = {ch: i for i, ch in enumerate(" " + string.ascii_lowercase)}
_CHARS = " " + string.ascii_lowercase


def char2id(char):
    if char not in _IDS:
        print(f"Unexpected character: {char}")
    return _IDS.get(char, 0)


def id2char(dictid):
    return _CHARS[int(dictid)]

# %% cell: batch_generator
class BatchGenerator:
    def __init__(self, text, batch_size, num_unrollings):
        self._text = text
        self._text_size = len(text)
        self._batch_size = batch_size
        self._num_unrollings = num_unrollings
        segment = self._text_size // batch_size
        self._cursor = [offset * segment for offset in range(batch_size)]
        self._last_batch = self._next_batch()

    def _next_batch(self):
        ids = [char2id(self._text[c]) for c in self._cursor]
        self._cursor = [(c + 1) % self._text_size for c in self._cursor]
        return np.eye(vocabulary_size)[ids]

    def next(self):
        new = [self._next_batch() for _ in range(self._num_unrollings)]
        batches = [self._last_batch] + new
        self._last_batch = new[-1] if new else self._last_batch
        return batches
