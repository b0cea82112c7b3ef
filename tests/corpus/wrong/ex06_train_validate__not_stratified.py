"""a split without stratify.

fails: split_and_scale
diagnosis: the split is not stratified
"""


def split_and_scale(X, y, seed=42):
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_val), y_train, y_val
