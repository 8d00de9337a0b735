package io.tessera.aws.cdk;

import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;

/** {@code cdk synth} / {@code cdk deploy} entry point (cdk.json); settings come from context. */
public final class TesseraCdkApp {
    private TesseraCdkApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        DeploymentSettings settings = DeploymentSettings.fromContext(key -> app.getNode().tryGetContext(key));
        // The account and region of the CLI's credentials, when it has them; the template is the same either way.
        StackProps props = StackProps.builder().env(Environment.builder()
                .account(System.getenv("CDK_DEFAULT_ACCOUNT")).region(System.getenv("CDK_DEFAULT_REGION")).build())
                .description("Tessera media session cluster: masters behind an NLB, media nodes, scale-in drain")
                .build();
        new TesseraStack(app, settings.stackName(), props, settings);
        app.synth();
    }
}
