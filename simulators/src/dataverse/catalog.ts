import type {
  AttributeDefinition,
  CascadeDelete,
  EntityDefinition,
  GlobalOptionSetDefinition,
} from './schema';

/** A 1:N relationship as Dataverse's relationship metadata describes it. */
export interface RelationshipDefinition {
  schemaName: string;
  referencedEntity: string;
  referencedAttribute: string;
  referencingEntity: string;
  referencingAttribute: string;
  /** The lookup's navigation property on the referencing (many) side. */
  referencingEntityNavigationPropertyName: string;
  /** The collection on the referenced (one) side: the relationship's schema name, as Dataverse names it. */
  referencedEntityNavigationPropertyName: string;
  cascadeDelete: CascadeDelete;
  isCustomRelationship: boolean;
}

/**
 * All entity definitions the simulator knows: those with data, and those seeded for metadata only. Relationships
 * are derived from the lookups, so a lookup and its relationship metadata can never disagree.
 */
export class EntityCatalog {
  private readonly byLogical = new Map<string, EntityDefinition>();
  private readonly bySet = new Map<string, EntityDefinition>();
  readonly relationships: readonly RelationshipDefinition[];

  constructor(
    readonly dataEntities: readonly EntityDefinition[],
    readonly metadataOnlyEntities: readonly EntityDefinition[],
    readonly globalOptionSets: readonly GlobalOptionSetDefinition[] = [],
  ) {
    for (const entity of [...dataEntities, ...metadataOnlyEntities])
      this.byLogical.set(entity.logicalName, entity);
    for (const entity of dataEntities) this.bySet.set(entity.entitySetName, entity);
    const relationships: RelationshipDefinition[] = [];
    for (const entity of this.byLogical.values()) {
      for (const attribute of entity.attributes) {
        const lookup = attribute.lookup;
        const target = lookup ? this.byLogical.get(lookup.target) : undefined;
        const schemaName = lookup?.relationshipSchemaName;
        if (!lookup || !target || schemaName === undefined) continue;
        relationships.push({
          schemaName,
          referencedEntity: target.logicalName,
          referencedAttribute: target.primaryIdAttribute,
          referencingEntity: entity.logicalName,
          referencingAttribute: attribute.logicalName,
          referencingEntityNavigationPropertyName: lookup.navigationProperty,
          referencedEntityNavigationPropertyName: schemaName,
          cascadeDelete: lookup.cascadeDelete,
          isCustomRelationship: attribute.isCustomAttribute,
        });
      }
    }
    this.relationships = relationships;
    this.checkGlobalOptionSets();
  }

  /** A column naming a global option set has exactly its options, so the two definitions never disagree. */
  private checkGlobalOptionSets(): void {
    for (const entity of this.byLogical.values()) {
      for (const attribute of entity.attributes) {
        if (attribute.globalOptionSet === undefined) continue;
        const set = this.globalOptionSet(attribute.globalOptionSet);
        if (!set || JSON.stringify(set.options) !== JSON.stringify(attribute.options ?? {})) {
          throw new Error(
            `${entity.logicalName}.${attribute.logicalName} names the global option set ${attribute.globalOptionSet} but does not have its options`,
          );
        }
      }
    }
  }

  globalOptionSet(name: string): GlobalOptionSetDefinition | undefined {
    return this.globalOptionSets.find((set) => set.name === name);
  }

  all(): EntityDefinition[] {
    return [...this.byLogical.values()];
  }

  entity(logicalName: string): EntityDefinition | undefined {
    return this.byLogical.get(logicalName);
  }

  /** Only entities the simulator stores records for have an entity set. */
  dataEntityBySet(entitySetName: string): EntityDefinition | undefined {
    return this.bySet.get(entitySetName);
  }

  hasData(logicalName: string): boolean {
    return this.dataEntities.some((entity) => entity.logicalName === logicalName);
  }

  attribute(entity: EntityDefinition, logicalName: string): AttributeDefinition | undefined {
    return entity.attributes.find((attribute) => attribute.logicalName === logicalName);
  }

  /** The lookup attribute behind a single-valued navigation property (case-sensitive, as in OData). */
  lookupByNavigation(entity: EntityDefinition, navigationProperty: string): AttributeDefinition | undefined {
    return entity.attributes.find((attribute) => attribute.lookup?.navigationProperty === navigationProperty);
  }

  manyToOne(logicalName: string): RelationshipDefinition[] {
    return this.relationships.filter((relationship) => relationship.referencingEntity === logicalName);
  }

  oneToMany(logicalName: string): RelationshipDefinition[] {
    return this.relationships.filter((relationship) => relationship.referencedEntity === logicalName);
  }

  /** The 1:N relationship behind a collection-valued navigation property of `logicalName`. */
  collectionNavigation(logicalName: string, navigationProperty: string): RelationshipDefinition | undefined {
    return this.oneToMany(logicalName).find(
      (relationship) => relationship.referencedEntityNavigationPropertyName === navigationProperty,
    );
  }
}
