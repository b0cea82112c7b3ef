"""A styled learning curve: validation first, markers, a dashed line, a grid, a title, the
legend in the upper left and a larger figure at another resolution."""


def plot_learning_curve(history, path):
    epochs = list(range(1, len(history["loss"]) + 1))
    figure = plt.figure(figsize=(9, 5))
    plt.plot(epochs, history["val_loss"], "s--", color="tab:green", label="validation loss")
    plt.plot(epochs, history["loss"], "o-", color="tab:purple", label="training loss")
    plt.grid(True)
    plt.title("Learning curve")
    plt.xlabel("epoch")
    plt.ylabel("loss")
    plt.legend(loc="upper left")
    figure.savefig(path, dpi=150)
    plt.close(figure)
