"""a learning curve with the training loss only.

fails: plot_learning_curve
diagnosis: 1 coloured line(s)
"""


def plot_learning_curve(history, path):
    plt.plot(history["loss"])
    plt.savefig(path)
    plt.close()
