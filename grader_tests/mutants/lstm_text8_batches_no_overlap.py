# next() returns num_unrollings + 1 fresh batches instead of repeating the last batch of the previous call.
# assignment: lstm_text8
# base: solution
# expected_failures: test_batch_generator, test_batch_generator_hidden

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
        batch = np.zeros((self._batch_size, vocabulary_size))
        for b in range(self._batch_size):
            batch[b, char2id(self._text[self._cursor[b]])] = 1.0
            self._cursor[b] = (self._cursor[b] + 1) % self._text_size
        return batch

    def next(self):
        batches = [self._next_batch() for _ in range(self._num_unrollings + 1)]
        self._last_batch = batches[-1]
        return batches
