use licswap_core::userlist::{parse_user_list, EntryKind};

#[test]
fn one_per_line_with_comments_blanks_and_separators() {
    let input =
        "# users for wave 1\n\n  alice@contoso.com  \nbob@contoso.com, carol@contoso.com;dave@contoso.com\n\
                 erin@contoso.com # the new hire\n";
    let list = parse_user_list(input);
    assert_eq!(
        list.values(),
        ["alice@contoso.com", "bob@contoso.com", "carol@contoso.com", "dave@contoso.com", "erin@contoso.com"]
    );
    assert!(list.errors.is_empty(), "{:?}", list.errors);
    assert!(!list.csv);
    assert_eq!(list.entries[0].line, 3);
    assert_eq!(list.entries[3].line, 4);
}

#[test]
fn dedups_case_insensitively_keeping_first() {
    let list = parse_user_list("Alice@Contoso.com\nbob@contoso.com\nALICE@contoso.COM\n");
    assert_eq!(list.values(), ["Alice@Contoso.com", "bob@contoso.com"]);
    assert_eq!(list.duplicates.len(), 1);
    assert_eq!(list.duplicates[0].line, 3);
    assert_eq!(list.duplicates[0].first_line, 1);
}

#[test]
fn csv_with_header_reads_only_the_upn_column() {
    let input = "\u{feff}DisplayName,UserPrincipalName,Department\n\"Doe, Jane\",jane@contoso.com,Sales\n\
                 \"Smith, \"\"JJ\"\"\",jj@contoso.com,\"R&D, Lab\"\nNo Upn,,IT\n";
    let list = parse_user_list(input);
    assert!(list.csv);
    assert_eq!(list.values(), ["jane@contoso.com", "jj@contoso.com"]);
    assert_eq!(list.errors.len(), 1);
    assert_eq!(list.errors[0].line, 4);
    assert!(list.errors[0].reason.contains("empty"), "{}", list.errors[0].reason);
}

#[test]
fn csv_with_semicolons_and_lowercase_header() {
    let list = parse_user_list("id;userprincipalname\n1;a@contoso.com\n2;b@contoso.com\n");
    assert!(list.csv);
    assert_eq!(list.values(), ["a@contoso.com", "b@contoso.com"]);
}

#[test]
fn reports_bad_lines_with_number_and_reason() {
    let input =
        "good@contoso.com\nnot-an-upn\njane doe@contoso.com\nx.@contoso.com\na@b@contoso.com\nz@localhost\n";
    let list = parse_user_list(input);
    // "jane doe@contoso.com" splits at the space (lists pasted from spreadsheets are
    // tab/space separated): "jane" is reported, "doe@contoso.com" is kept.
    assert_eq!(list.values(), ["good@contoso.com", "doe@contoso.com"]);
    let lines: Vec<usize> = list.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [2, 3, 4, 5, 6]);
    let reason = |l: usize| list.errors.iter().find(|e| e.line == l).unwrap().reason.clone();
    assert!(reason(2).contains("no @"));
    assert!(reason(4).contains("period"));
    assert!(reason(5).contains("character '@'") || reason(5).contains("more than one @"), "{}", reason(5));
    assert!(reason(6).contains("domain"));
}

#[test]
fn guests_ids_and_outlook_addresses() {
    let input = "jane_fabrikam.com#EXT#@contoso.onmicrosoft.com\n\
                 0f7a5c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b\n\
                 \"Doe, John\" <john@contoso.com>; Mary Major <mary@contoso.com>\nmailto:sam@contoso.com\n";
    let list = parse_user_list(input);
    assert!(list.errors.is_empty(), "{:?}", list.errors);
    assert_eq!(
        list.values(),
        [
            "jane_fabrikam.com#EXT#@contoso.onmicrosoft.com",
            "0f7a5c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b",
            "john@contoso.com",
            "mary@contoso.com",
            "sam@contoso.com"
        ]
    );
    assert_eq!(list.entries[0].kind, EntryKind::Upn);
    assert_eq!(list.entries[1].kind, EntryKind::ObjectId);
}

#[test]
fn garbage_never_panics() {
    for input in
        ["\"", "\"unterminated,\n", "<>", "@", "a@", "@b.c", "\u{0}\u{7f}é@ü.de", ",,,;;;", "# only\n#"]
    {
        let list = parse_user_list(input);
        assert!(list.entries.is_empty(), "{input:?} gave {:?}", list.entries);
    }
    let long = format!("{}@contoso.com", "a".repeat(120));
    assert!(parse_user_list(&long).errors[0].reason.contains("113"));
}
