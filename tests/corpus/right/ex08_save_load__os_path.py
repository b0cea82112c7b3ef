"""Correct saving written with os.path, and load_model with compile=True."""
import os


def save_weights(model, folder):
    path = os.path.join(folder, "best.weights.h5")
    model.save_weights(path)
    return path


def load_model(path):
    return keras.models.load_model(path, compile=True)
