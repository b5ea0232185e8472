# Clips every gradient by its own norm instead of the global one.
# assignment: lstm_text8
# base: solution
# expected_failures: test_clip_by_global_norm, test_clip_by_global_norm_hidden

# %% cell: clip_by_global_norm
def clip_by_global_norm(grads, max_norm):
    global_norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads.values()))
    clipped = {}
    for k, g in grads.items():
        n = float(np.sqrt(np.sum(g * g)))
        clipped[k] = g * (max_norm / max(n, max_norm))
    return clipped, global_norm
