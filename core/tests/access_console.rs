//! C13: the permission matrix (every preset × every console action, each
//! attempt audited) and scope (who sees which conversation).

use std::sync::Arc;

use serde_json::json;
use wacrm::access::{Console, Membership, PermissionSet, Role, Scope, Session, User};
use wacrm::ids::{AgentId, ContactId, ConversationId, PhoneNumberId, WabaId};
use wacrm::store::*;
use wacrm::{ErrorKind, ManualClock};

const PRESETS: [&str; 4] = ["agent", "supervisor", "admin", "viewer"];

fn conv(id: &str, contact: &str, number: &str, agent: Option<&str>) -> Conversation {
    Conversation {
        id: ConversationId::new(id),
        contact_id: ContactId::new(contact),
        phone_number_id: PhoneNumberId::new(number),
        status: ConversationStatus::Open,
        agent_id: agent.map(AgentId::new),
        priority: 0,
        opened_at: 1,
        assigned_at: None,
        last_inbound_at: None,
        last_outbound_at: None,
        first_response_at: None,
        last_human_reply_at: None,
        closed_at: None,
    }
}

fn agent(id: &str, team: &str) -> Agent {
    Agent {
        id: AgentId::new(id),
        name: id.into(),
        presence: Presence::Online,
        capacity: 5,
        skills: Default::default(),
        teams: [team.to_string()].into(),
        updated_at: 0,
    }
}

/// Two agents (sales, support), three contacts, conversations of each agent
/// and an unassigned one, and one user per preset (the agent user works as `ana`).
async fn seeded() -> Console {
    let stores = Stores::memory();
    for a in [agent("ana", "sales"), agent("bob", "support")] {
        stores.agents.upsert_agent(&a).await.unwrap();
    }
    for c in ["c1", "c2", "c3", "c4"] {
        stores
            .contacts
            .upsert(
                &Contact {
                    id: ContactId::new(c),
                    e164: Some(
                        format!("+8190000000{}", &c[1..])
                            .parse()
                            .expect("valid E.164"),
                    ),
                    ..Default::default()
                },
                None,
            )
            .await
            .unwrap();
    }
    for c in [
        conv("cv_ana", "c1", "pn1", Some("ana")),
        conv("cv_bob", "c2", "pn1", Some("bob")),
        conv("cv_free", "c3", "pn2", None),
    ] {
        stores.conversations.create(&c).await.unwrap();
    }
    let console = Console::new(stores, Arc::new(ManualClock::new(1_000)));
    let op = console.operator("test");
    for role in PRESETS {
        op.upsert_user(&User {
            id: format!("u_{role}"),
            name: role.into(),
            agent_id: (role == "agent").then(|| AgentId::new("ana")),
            disabled: false,
            created_at: 0,
        })
        .await
        .unwrap();
        op.grant(&Membership {
            user_id: format!("u_{role}"),
            role: role.into(),
            scope: Scope::all(),
        })
        .await
        .unwrap();
    }
    console
}

fn item(id: &str, number: &str, template: bool) -> OutboxItem {
    let mut i = wacrm::store::conformance::outbox_item(id, id, Lane::Reply, 0);
    i.phone_number_id = PhoneNumberId::new(number);
    i.campaign_id = None;
    if template {
        i.payload = json!({"message": {"type": "template", "content": {"name": "hello", "language": "en"}}});
    }
    i
}

/// Run action `name` as `s`; `Ok(())` when allowed (the action ran, possibly
/// failing for a reason other than permission), `Err(())` when FORBIDDEN.
async fn attempt(s: &Session, name: &str) -> Result<(), ()> {
    let r: wacrm::Result<()> = match name {
        "send" => s.enqueue(&item("i1", "pn1", false)).await.map(drop),
        "send_template" => s.enqueue(&item("i2", "pn1", true)).await.map(drop),
        "broadcast" => s
            .broadcast(
                "spring",
                vec![item("b1", "pn1", true), item("b2", "pn2", true)],
            )
            .await
            .map(drop),
        "export_contacts" => s.export_contacts(&ContactFilter::default()).await.map(drop),
        "export_conversations" => s.export_conversations().await.map(drop),
        "export_reports" => s.export_report().await.map(drop),
        "view_reports" => s.report().await.map(drop),
        "view_others" => s
            .conversation(&ConversationId::new("cv_bob"))
            .await
            .map(drop),
        "assign" => s
            .assign(&ConversationId::new("cv_free"), &AgentId::new("ana"))
            .await
            .map(drop),
        "reassign" => s
            .assign(&ConversationId::new("cv_bob"), &AgentId::new("ana"))
            .await
            .map(drop),
        "edit_contact" => s
            .edit_contact(
                &Contact {
                    id: ContactId::new("c9"),
                    name: Some("New".into()),
                    ..Default::default()
                },
                None,
            )
            .await
            .map(drop),
        "merge_contacts" => s
            .merge_contacts(&ContactId::new("c1"), &ContactId::new("c4"))
            .await
            .map(drop),
        "delete_contact" => s.delete_contact(&ContactId::new("c3")).await.map(drop),
        "manage_rules" => {
            s.change_rules("rules.toml", json!({"rules": 3}), || async { Ok(()) })
                .await
        }
        "manage_integrations" => {
            s.change_integration("hubspot", json!({"field": "email"}), || async { Ok(()) })
                .await
        }
        // No client is configured: an allowed attempt fails with CONFIG, never FORBIDDEN.
        "manage_templates" => s
            .delete_template(&WabaId::new("w1"), "hello")
            .await
            .map(drop),
        "manage_numbers" => s
            .update_business_profile(&PhoneNumberId::new("pn1"), &Default::default())
            .await
            .map(drop),
        "manage_users" => {
            s.upsert_user(&User {
                id: "newbie".into(),
                name: "N".into(),
                agent_id: None,
                disabled: false,
                created_at: 0,
            })
            .await
        }
        "view_audit" => s.verify_audit(None).await.map(drop),
        other => panic!("unknown action {other}"),
    };
    match r {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::Forbidden => {
            assert_eq!(e.code(), "FORBIDDEN");
            assert!(!e.retry().retryable);
            Err(())
        }
        Err(e) if matches!(name, "manage_templates" | "manage_numbers") => {
            assert_eq!(e.kind(), ErrorKind::Config, "{name}: {e}");
            Ok(())
        }
        Err(e) => panic!("{name}: unexpected error {e}"),
    }
}

const ACTIONS: [&str; 19] = [
    "send",
    "send_template",
    "broadcast",
    "export_contacts",
    "export_conversations",
    "export_reports",
    "view_reports",
    "view_others",
    "assign",
    "reassign",
    "edit_contact",
    "merge_contacts",
    "delete_contact",
    "manage_rules",
    "manage_integrations",
    "manage_templates",
    "manage_numbers",
    "manage_users",
    "view_audit",
];

/// The expected matrix, written out so a change to a preset shows up here.
fn allowed(role: &str) -> &'static [&'static str] {
    match role {
        "agent" => &["send", "send_template", "edit_contact"],
        "supervisor" => &[
            "send",
            "send_template",
            "broadcast",
            "export_contacts",
            "export_conversations",
            "export_reports",
            "view_reports",
            "view_others",
            "assign",
            "reassign",
            "edit_contact",
            "merge_contacts",
        ],
        "admin" => &ACTIONS,
        "viewer" => &["view_reports", "view_others"],
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn every_preset_times_every_action_is_allowed_or_forbidden_and_audited() {
    for role in PRESETS {
        let console = seeded().await;
        let s = console
            .as_user(&format!("u_{role}"))
            .await
            .unwrap()
            .with_client_id("test-app");
        for action in ACTIONS {
            let before = console.stores().audit.last().await.unwrap().unwrap().seq;
            let got = attempt(&s, action).await;
            let want = allowed(role).contains(&action);
            assert_eq!(got.is_ok(), want, "{role} × {action}");
            let logged = console.stores().audit.list(before, 100).await.unwrap();
            let last = logged
                .last()
                .unwrap_or_else(|| panic!("{role} × {action}: not audited"));
            assert_eq!(last.actor, format!("user:u_{role}"), "{role} × {action}");
            assert_eq!(last.client_id.as_deref(), Some("test-app"));
            let outcome = last.outcome;
            if want {
                assert_ne!(outcome, AuditOutcome::Forbidden, "{role} × {action}");
            } else {
                assert_eq!(outcome, AuditOutcome::Forbidden, "{role} × {action}");
                assert!(last.details["reason"].is_string());
            }
        }
        let r = wacrm::access::verify(console.stores().audit.as_ref(), None)
            .await
            .unwrap();
        assert!(r.is_ok(), "{r:?}");
    }
}

#[tokio::test]
async fn a_forbidden_action_changes_nothing() {
    let console = seeded().await;
    let agent = console.as_user("u_agent").await.unwrap();
    let e = agent
        .delete_contact(&ContactId::new("c3"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    assert!(e.to_string().contains("delete_contacts"), "{e}");
    assert!(
        console
            .stores()
            .contacts
            .get(&ContactId::new("c3"))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        agent
            .broadcast("x", vec![item("b9", "pn1", true)])
            .await
            .is_err()
    );
    assert_eq!(console.stores().outbox.stats().await.unwrap().queued, 0);
}

#[tokio::test]
async fn agents_see_only_their_own_conversations_through_every_api() {
    let console = seeded().await;
    let ana = console.as_user("u_agent").await.unwrap();
    let ids: Vec<_> = ana
        .list_conversations()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id.0)
        .collect();
    assert_eq!(ids, ["cv_ana"]);
    assert!(
        ana.conversation(&ConversationId::new("cv_ana"))
            .await
            .is_ok()
    );
    for other in ["cv_bob", "cv_free"] {
        let id = ConversationId::new(other);
        assert_eq!(
            ana.conversation(&id).await.unwrap_err().kind(),
            ErrorKind::Forbidden
        );
        assert_eq!(
            ana.messages(&id).await.unwrap_err().kind(),
            ErrorKind::Forbidden
        );
    }
    assert_eq!(
        ana.export_conversations().await.unwrap_err().kind(),
        ErrorKind::Forbidden
    );
    let admin = console.as_user("u_admin").await.unwrap();
    assert_eq!(admin.list_conversations().await.unwrap().len(), 3);
    let viewer = console.as_user("u_viewer").await.unwrap();
    assert_eq!(viewer.list_conversations().await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_team_supervisor_sees_the_team_and_the_unassigned_queue() {
    let console = seeded().await;
    let op = console.operator("test");
    op.upsert_user(&User {
        id: "sue".into(),
        name: "Sue".into(),
        agent_id: None,
        disabled: false,
        created_at: 0,
    })
    .await
    .unwrap();
    op.grant(&Membership {
        user_id: "sue".into(),
        role: "supervisor".into(),
        scope: Scope {
            teams: ["sales".to_string()].into(),
            numbers: Default::default(),
        },
    })
    .await
    .unwrap();
    let sue = console.as_user("sue").await.unwrap();
    let mut ids: Vec<_> = sue
        .list_conversations()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id.0)
        .collect();
    ids.sort();
    assert_eq!(ids, ["cv_ana", "cv_free"]);
    assert_eq!(
        sue.conversation(&ConversationId::new("cv_bob"))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Forbidden
    );
    let exported = sue.export_conversations().await.unwrap();
    assert_eq!(exported.len(), 2);
}

#[tokio::test]
async fn number_scope_and_custom_roles_limit_campaigns() {
    let console = seeded().await;
    let op = console.operator("test");
    op.upsert_role(
        &Role::custom(
            "campaigner",
            PermissionSet::parse_list("broadcast,view_reports").unwrap(),
            "",
        )
        .unwrap(),
    )
    .await
    .unwrap();
    op.upsert_user(&User {
        id: "cam".into(),
        name: "Cam".into(),
        agent_id: None,
        disabled: false,
        created_at: 0,
    })
    .await
    .unwrap();
    op.grant(&Membership {
        user_id: "cam".into(),
        role: "campaigner".into(),
        scope: Scope {
            teams: Default::default(),
            numbers: [PhoneNumberId::new("pn2")].into(),
        },
    })
    .await
    .unwrap();
    let cam = console.as_user("cam").await.unwrap();
    let e = cam
        .broadcast("c", vec![item("x1", "pn2", true), item("x2", "pn1", true)])
        .await
        .unwrap_err();
    assert!(e.to_string().contains("pn1"), "{e}");
    assert_eq!(console.stores().outbox.stats().await.unwrap().queued, 0);
    let done = cam
        .broadcast("c", vec![item("x1", "pn2", true)])
        .await
        .unwrap();
    assert_eq!(done.len(), 1);
    let stored = console
        .stores()
        .outbox
        .get_item("x1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.campaign_id.as_deref(), Some("c"));
    // A preset cannot be redefined, a grant needs an existing role and user.
    assert!(
        op.upsert_role(&Role::preset("agent").unwrap())
            .await
            .is_err()
    );
    assert!(
        op.grant(&Membership {
            user_id: "cam".into(),
            role: "nope".into(),
            scope: Scope::all()
        })
        .await
        .is_err()
    );
}

#[tokio::test]
async fn unknown_and_disabled_users_are_refused_and_logged() {
    let console = seeded().await;
    assert_eq!(
        console.as_user("ghost").await.unwrap_err().kind(),
        ErrorKind::Forbidden
    );
    let op = console.operator("test");
    op.upsert_user(&User {
        id: "u_agent".into(),
        name: "gone".into(),
        agent_id: None,
        disabled: true,
        created_at: 0,
    })
    .await
    .unwrap();
    assert_eq!(
        console.as_user("u_agent").await.unwrap_err().kind(),
        ErrorKind::Forbidden
    );
    let last = console.stores().audit.last().await.unwrap().unwrap();
    assert_eq!(
        (last.action.as_str(), last.outcome),
        ("session.open", AuditOutcome::Forbidden)
    );
}
