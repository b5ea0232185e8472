# A correct notebook that draws its own figures and writes a notes file and a small .npz into its
# own folder, then reads them back. Full marks and nothing to flag.
# assignment: dinosaur_island
# base: solution
# expected_failures: none
# expected_score: 24

# %% new-cell-after: clip_demo
import matplotlib.pyplot as plt

g = clip(clip_case(), 10)
fig, ax = plt.subplots(figsize=(4, 2))
ax.hist(np.concatenate([v.ravel() for v in g.values()]), bins=20)
ax.set_title("clipped gradients")
plt.show()

# %% new-cell-after: optimize_demo
with open("notes.txt", "w") as f:
    f.write("optimize: loss %.6f\n" % loss)
np.savez("my_gradients.npz", **gradients)
with open("notes.txt") as f:
    print(f.read())
print(sorted(np.load("my_gradients.npz").files))
