"""The validation loss sorted before plotting "to make the curve smooth": two falling lines,
and the epoch where validation was best no longer shows.

fails: plot_learning_curve
diagnosis: the lines drawn do not follow the history given
"""


def plot_learning_curve(history, path):
    plt.plot(history["loss"], label="train")
    plt.plot(sorted(history["val_loss"], reverse=True), label="validation")
    plt.legend()
    plt.savefig(path)
    plt.close()
