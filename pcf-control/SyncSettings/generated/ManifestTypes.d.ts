/*
*This is auto generated from the ControlManifest.Input.xml file
*/

// Define IInputs and IOutputs Type. They should match with ControlManifest.
export interface IInputs {
    anchor: ComponentFramework.PropertyTypes.StringProperty;
    apiBaseUrl: ComponentFramework.PropertyTypes.StringProperty;
    clientId: ComponentFramework.PropertyTypes.StringProperty;
    tenantId: ComponentFramework.PropertyTypes.StringProperty;
    apiScope: ComponentFramework.PropertyTypes.StringProperty;
    authorityHost: ComponentFramework.PropertyTypes.StringProperty;
}
export interface IOutputs {
    anchor?: string;
}
