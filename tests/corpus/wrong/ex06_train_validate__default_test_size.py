"""train_test_split's default 25%.

fails: split_and_scale
diagnosis: the validation part is not 20%
"""


def split_and_scale(X, y, seed=42):
    X_train, X_val, y_train, y_val = train_test_split(X, y, stratify=y, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_val), y_train, y_val
