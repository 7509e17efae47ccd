"""nbgrader settings for the chapter's notebooks, for a teacher who grades the prediction cells.

The cells a student answers carry nbgrader's metadata (a solution cell, then a locked graded
cell that checks it with d2l::check), and their answer sits between `// BEGIN SOLUTION` and
`// END SOLUTION`. nbgrader has no code stub for Rust; this one makes the student version's
cell stop with a red error until the student writes an answer. Copy this file into the nbgrader
course folder (README, "For a class").
"""

c = get_config()  # noqa: F821 (nbgrader defines it when it reads this file)

c.ClearSolutions.code_stub = {"rust": '// 把下面的 todo!(...) 换成你的答案\ntodo!("写下你的答案")'}
