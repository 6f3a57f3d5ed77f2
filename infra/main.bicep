// Oneflow product sync: the Function app on Flex Consumption and what it needs (storage reached with its managed
// identity, Application Insights, Key Vault for its secrets). Deploy into a resource group; see README.md.

@description('Short lowercase name (letters and digits only) that starts every resource name, e.g. oneflowsync.')
@minLength(3)
@maxLength(11)
param namePrefix string = 'oneflowsync'

@description('Azure region of every resource; must offer the Flex Consumption plan. Default: the resource group region.')
param location string = resourceGroup().location

@description('Tags set on every resource.')
param tags object = {}

@description('One organisation the app serves: an entry of the PRODUCT_SYNC_TENANTS app setting.')
type orgType = {
  @description('Entra tenant id (GUID) of the organisation.')
  tenantId: string

  @description('Optional label.')
  displayName: string?

  @description('The Dynamics environment URL without a trailing slash, e.g. https://contoso.crm4.dynamics.com.')
  dataverseUrl: string

  @description('2-40 lowercase letters, digits or dashes: the webhook address and the Key Vault secret names.')
  @minLength(2)
  @maxLength(40)
  orgKey: string

  @description('Oneflow account of the organisation.')
  oneflow: {
    @description('Optional; default https://api.oneflow.com/v1.')
    apiUrl: string?

    @description('The Oneflow user the API token acts as.')
    userEmail: string

    @description('Workspace where Create contract puts new contracts.')
    workspaceId: int

    @description('Template (with a product table) new contracts start from.')
    templateId: int

    @description('Optional; default true: a push writes a draft contract\'s product table in one request (see the admin guide for the risk).')
    bulkDraftWrites: bool?

    @description('Optional; default 1800, at most 2000: Oneflow requests the app allows itself per 5 minutes on the org\'s token, per instance.')
    @minValue(1)
    @maxValue(2000)
    requestBudget: int?
  }
}

@description('The organisations served (at least one). Each gets its Oneflow token and sign key from Key Vault.')
@minLength(1)
param orgs orgType[]

@description('Accepted audiences of callers\' tokens: the client id and/or the App ID URI of the API app registration.')
@minLength(1)
param apiAudiences string[]

@description('Client id of the backend app registration the Function app signs in with to reach Dataverse.')
param backendClientId string

@description('How the backend app registration proves itself: managedidentity (this Function app\'s identity as its federated credential, no secret), certificate or secret (each read from Key Vault).')
@allowed([
  'managedidentity'
  'certificate'
  'secret'
])
param backendCredential string = 'managedidentity'

@description('Browser origins allowed to call the API besides each org\'s dataverseUrl, exactly as browsers send them (https://host, no path).')
param additionalCorsOrigins string[] = []

@description('The storage queue the webhook fills and the queue processor reads.')
@minLength(3)
@maxLength(63)
param webhookQueueName string = 'oneflow-webhooks'

@description('Memory of each Function app instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Most instances the Function app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

var suffix = uniqueString(resourceGroup().id, namePrefix)
var functionAppName = '${namePrefix}-${suffix}'
var storageAccountName = take('${namePrefix}${suffix}', 24)
var keyVaultName = take('kv-${namePrefix}-${suffix}', 24)
var deploymentContainerName = 'app-package'
var corsAllowedOrigins = union(map(orgs, org => org.dataverseUrl), additionalCorsOrigins)

// Azure built-in role definition ids (the same in every tenant).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
}

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${namePrefix}-logs-${suffix}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${namePrefix}-insights-${suffix}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    // Telemetry only with the app's identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING), never with the key in
    // the connection string.
    DisableLocalAuth: true
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2024-01-01' = {
  parent: storage
  name: 'default'
}

// Created here so it exists before the first start (the app also creates its queue and tables when missing, which
// the Queue and Table Data Contributor roles allow).
resource webhookQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2024-01-01' = {
  parent: queueService
  name: webhookQueueName
}

resource keyVault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${namePrefix}-plan-${suffix}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // The app answers CORS itself (CORS_ALLOWED_ORIGINS); platform CORS would answer preflights first and
      // cannot expose ETag or Retry-After, so it stays off.
      cors: {
        allowedOrigins: []
      }
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// The deployment container, the host's timer leases and keys (blob), the webhook queue and its trigger (queue),
// the app's state (table).
resource storageBlobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, functionApp.id, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource storageQueueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, functionApp.id, roles.storageQueueDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource storageTableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, functionApp.id, roles.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource monitoringMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, functionApp.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource keyVaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, functionApp.id, roles.keyVaultSecretsUser)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// App settings: the one place this template sets them (test/infra.test.ts checks them against
// functions/src/config/appSettings.ts). Secrets are Key Vault references; their values never pass through a
// deployment (README.md: what to put in Key Vault).
var commonAppSettings = {
  PRODUCT_SYNC_TENANTS: string(orgs)
  API_AUDIENCES: join(apiAudiences, ',')
  BACKEND_CLIENT_ID: backendClientId
  CORS_ALLOWED_ORIGINS: join(corsAllowedOrigins, ',')
  WEBHOOK_QUEUE_NAME: webhookQueueName
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
}

var backendCredentialSettings = {
  managedidentity: {
    BACKEND_FEDERATED_CREDENTIAL: 'managedidentity'
  }
  certificate: {
    BACKEND_CLIENT_CERTIFICATE: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=backend-client-certificate)'
  }
  secret: {
    BACKEND_CLIENT_SECRET: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=backend-client-secret)'
  }
}

// Org key contoso-eu: ONEFLOW_API_TOKEN__CONTOSO_EU from the secret oneflow-api-token-contoso-eu.
var oneflowTokenSettings = toObject(orgs, org => 'ONEFLOW_API_TOKEN__${toUpper(replace(org.orgKey, '-', '_'))}', org => '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=oneflow-api-token-${org.orgKey})')
var oneflowSignKeySettings = toObject(orgs, org => 'ONEFLOW_SIGN_KEY__${toUpper(replace(org.orgKey, '-', '_'))}', org => '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=oneflow-sign-key-${org.orgKey})')

var appSettings = union(commonAppSettings, backendCredentialSettings[backendCredential], oneflowTokenSettings, oneflowSignKeySettings)

// Applied once the identity may read the vault and storage, so Key Vault references resolve on the first start.
resource functionAppSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: appSettings
  dependsOn: [
    storageBlobDataOwner
    storageQueueDataContributor
    storageTableDataContributor
    monitoringMetricsPublisher
    keyVaultSecretsUser
    deploymentContainer
    webhookQueue
  ]
}

@description('The Function app, the target of the release workflow.')
output functionAppName string = functionApp.name

@description('The Function app\'s address, the value of the oneflowsync_ApiBaseUrl environment variable (the controls add /api/ themselves).')
output apiBaseUrl string = 'https://${functionApp.properties.defaultHostName}'

@description('Oneflow webhook URL of each org: this followed by the org key.')
output webhookBaseUrl string = 'https://${functionApp.properties.defaultHostName}/api/webhooks/oneflow/'

@description('Object id of the Function app\'s identity: the subject of the backend\'s federated credential.')
output principalId string = functionApp.identity.principalId

@description('The vault to put the secrets in.')
output keyVaultName string = keyVault.name
