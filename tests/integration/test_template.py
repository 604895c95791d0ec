"""Static checks of infra/template.yaml: the contract other parts rely on."""

from carebird.local import load_template

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]


def test_functions_run_python_3_13_on_arm64_with_the_shared_layer():
    function = TEMPLATE["Globals"]["Function"]

    assert function["Runtime"] == "python3.13"
    assert function["Architectures"] == ["arm64"]
    assert {"Ref": "CarebirdLayer"} in function["Layers"]


def test_the_cases_table_has_pitr_encryption_a_stream_and_the_sparse_queue_index():
    props = RESOURCES["CasesTable"]["Properties"]

    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    index = {i["IndexName"]: i for i in props["GlobalSecondaryIndexes"]}["OpenQueue"]
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["queue", "queue_rank"]


def test_the_webhook_gets_the_configuration_contract_names():
    env = {
        **TEMPLATE["Globals"]["Function"]["Environment"]["Variables"],
        **RESOURCES["WebhookFunction"]["Properties"]["Environment"]["Variables"],
    }

    assert {"CASES_TABLE", "X_SECRET_ARN", "BRAND_USER_ID", "BRAND_HANDLE"} <= set(env)
    assert not any("secret" in str(value).lower() and "Ref" not in str(value) for value in env.values())


def test_the_webhook_serves_get_and_post_and_the_url_is_an_output():
    events = RESOURCES["WebhookFunction"]["Properties"]["Events"].values()

    assert {(e["Properties"]["Method"], e["Properties"]["Path"]) for e in events} == {
        ("GET", "/webhook"),
        ("POST", "/webhook"),
    }
    assert "/webhook" in TEMPLATE["Outputs"]["WebhookUrl"]["Value"]["Fn::Sub"]


def test_policies_are_sam_policy_templates_only():
    for name, resource in RESOURCES.items():
        if resource["Type"] == "AWS::Serverless::Function":
            for policy in resource["Properties"].get("Policies", []):
                assert isinstance(policy, dict) and len(policy) == 1, name
                assert "Statement" not in policy, f"{name} has a hand-written policy"


def test_deploys_ship_the_built_template_and_no_region_is_pinned_silently():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    makefile = (root / "Makefile").read_text()
    deploy_recipe = makefile.split("\ndeploy:", 1)[1].split("\n\n", 1)[0]
    assert (
        "--template-file $(BUILT_TEMPLATE)" in deploy_recipe
        and "BUILT_TEMPLATE := .aws-sam/build/template.yaml" in makefile
    )
    readme_deploys = [line for line in (root / "README.md").read_text().splitlines() if "bin/sam deploy" in line]
    assert readme_deploys and all("--template-file .aws-sam/build/template.yaml" in line for line in readme_deploys)
    assert "region" not in (root / "infra" / "samconfig.toml").read_text()


def test_what_ships_is_pinned_in_one_lock_and_functions_list_nothing_of_their_own():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    lock = [line for line in (root / "layers" / "carebird" / "requirements.txt").read_text().splitlines()]
    pins = [line for line in lock if line and not line.startswith("#")]
    assert pins and all("==" in line for line in pins)
    assert {"aws-lambda-powertools", "tweepy"} <= {line.split("==")[0] for line in pins}
    for requirements in (root / "functions").glob("*/requirements.txt"):
        assert all(line.startswith("#") for line in requirements.read_text().splitlines() if line), requirements
