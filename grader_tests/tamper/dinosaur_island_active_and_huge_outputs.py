# A cell of the learner's own displays active content (a script, an event handler, a javascript: link, an SVG
# with a script), then 20 outputs of three types of 1.9 MB each (114 MB). Graded as usual; the graded notebook,
# which the instructor opens in the formgrader, keeps none of the active content and at most 10,000,000
# characters of outputs, with a note in the cell where they were cut and one for the instructor.
# assignment: dinosaur_island
# base: solution
# expected_failures: none
# expected_score: 24
# expected_flag: outputs cut from cell
# expected_absent: <script
# expected_absent: onerror
# expected_absent: javascript:
# expected_max_bytes: 10500000

# %% new-cell-after: setup
from IPython.display import HTML, SVG, display

display(HTML("<script>window.pwned = 1</script><img src=x onerror='window.pwned = 1'>"
             "<a href='javascript:window.pwned = 1'>a link</a>"))
display(SVG("<svg xmlns='http://www.w3.org/2000/svg'><script>window.pwned = 1</script></svg>"))
blob = "x" * 1_900_000
for _ in range(20):
    display({"text/plain": blob, "text/html": blob, "text/markdown": blob}, raw=True)
