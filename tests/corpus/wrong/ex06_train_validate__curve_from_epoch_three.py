"""Only the epochs after the first two are plotted ("the first epochs are noise").

fails: plot_learning_curve
diagnosis: the lines drawn do not follow the history given
"""


def plot_learning_curve(history, path):
    figure, axes = plt.subplots()
    axes.plot(range(3, len(history["loss"]) + 1), history["loss"][2:], label="train")
    axes.plot(range(3, len(history["val_loss"]) + 1), history["val_loss"][2:], label="val")
    axes.legend()
    figure.savefig(path)
    plt.close(figure)
