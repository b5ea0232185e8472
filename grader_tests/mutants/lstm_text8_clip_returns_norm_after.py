# Returns the norm after clipping instead of before.
# assignment: lstm_text8
# base: solution
# expected_failures: test_clip_by_global_norm, test_clip_by_global_norm_hidden

# %% cell: clip_by_global_norm
def clip_by_global_norm(grads, max_norm):
    global_norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads.values()))
    scale = max_norm / max(global_norm, max_norm)
    return {k: g * scale for k, g in grads.items()}, global_norm * scale
