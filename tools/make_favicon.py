"""Draw the book's favicon, book/_static/favicon.png: a δ, the quantity
backpropagation carries backwards. Run once; the PNG is committed."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

fig = plt.figure(figsize=(0.64, 0.64), dpi=100)   # 64 × 64 px
ax = fig.add_axes([0, 0, 1, 1])
ax.set_axis_off()
ax.add_patch(plt.Circle((0.5, 0.5), 0.48, color="#006BA4"))
ax.text(0.5, 0.47, r"$\delta$", color="white", fontsize=34,
        ha="center", va="center")
ax.set_xlim(0, 1)
ax.set_ylim(0, 1)
fig.savefig("book/_static/favicon.png", transparent=True)
