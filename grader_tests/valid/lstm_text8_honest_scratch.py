# A correct notebook with scratch cells of its own: prints, a plot, globals(), a progress bar on
# stderr and a file written into its folder. Full marks and nothing to flag.
# assignment: lstm_text8
# base: solution
# expected_failures: none
# expected_score: 62

# %% new-cell-after: char_ids_demo
import sys
import time

print(sys.version_info[:2], [char2id(c) for c in "hello world"])
print(len([k for k in globals() if not k.startswith("_")]), "names defined so far")
t0 = time.perf_counter()
for _ in tqdm(range(200), desc="timing char2id"):
    char2id("q")
print(f"{time.perf_counter() - t0:.4f} s")

# %% new-cell-after: logprob_demo
fig, ax = plt.subplots(figsize=(3, 2))
ax.plot(np.linspace(0.01, 1, 50), -np.log(np.linspace(0.01, 1, 50)))
plt.show()
with open("my_notes.txt", "w") as f:
    f.write("logprob is the mean cross-entropy\n")
