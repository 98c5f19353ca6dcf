//! Sync state: cursors listed by namespace.

use crate::store::Stores;

/// `list_cursors` gives every key and its latest value of one namespace, in
/// byte order, and nothing of another namespace.
pub async fn sync_cursors_listed_by_namespace(s: Stores) {
    assert!(
        s.sync.list_cursors("health").await.unwrap().is_empty(),
        "an empty namespace lists nothing"
    );
    // Upper case sorts before lower case in byte order but not in most
    // collations: the order must not depend on the database's.
    for (k, v) in [("b", "1"), ("a", "1"), ("B", "1"), ("a", "2")] {
        s.sync.set_cursor("health", k, v).await.unwrap();
    }
    s.sync.set_cursor("healthy", "a", "other").await.unwrap();
    s.sync.set_cursor("push", "a", "other").await.unwrap();
    let got = s.sync.list_cursors("health").await.unwrap();
    let want: Vec<(String, String)> = [("B", "1"), ("a", "2"), ("b", "1")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(got, want, "one namespace, latest values, by key");
    assert_eq!(
        s.sync.list_cursors("healthy").await.unwrap(),
        vec![("a".to_string(), "other".to_string())]
    );
}
