"""The curve of the notes' own training run, copied as numbers, instead of the history given.

fails: plot_learning_curve
diagnosis: the lines drawn do not follow the history given
"""

NOTES_LOSS = [0.53, 0.39, 0.35, 0.33, 0.32, 0.31, 0.30, 0.29, 0.28, 0.27]
NOTES_VAL_LOSS = [0.42, 0.38, 0.36, 0.35, 0.345, 0.34, 0.335, 0.333, 0.332, 0.331]


def plot_learning_curve(history, path):
    plt.plot(NOTES_LOSS, label="train")
    plt.plot(NOTES_VAL_LOSS, label="val")
    plt.legend()
    plt.savefig(path)
    plt.close()
